"""convlearn.gradcheck: central differences against analytic gradients."""

from __future__ import annotations

import numpy as np
import pytest

from convlearn.gradcheck import GradcheckResult, check_gradient, numerical_gradient


@pytest.mark.parametrize("shape", [(), (5,), (2, 3), (2, 1, 3, 2)])
def test_numerical_gradient_of_quadratic_any_shape(rng, shape):
    a = rng.standard_normal(shape)
    x = rng.standard_normal(shape)
    grad = numerical_gradient(lambda v: np.sum(a * v**2), x)
    assert grad.shape == np.shape(x)
    assert grad.dtype == np.float64
    np.testing.assert_allclose(grad, 2 * a * x, rtol=1e-7, atol=1e-9)


def test_numerical_gradient_of_nonlinear_function(rng):
    x = rng.standard_normal((3, 4))
    grad = numerical_gradient(lambda v: np.sum(np.sin(v) * np.exp(v / 2)), x)
    np.testing.assert_allclose(grad, np.cos(x) * np.exp(x / 2) + 0.5 * np.sin(x) * np.exp(x / 2), rtol=1e-7)


def test_central_difference_error_is_second_order():
    f = lambda v: float(np.sum(v**3))  # noqa: E731
    x = np.array([1.0])
    errors = [abs(numerical_gradient(f, x, eps=h)[0] - 3.0) for h in (1e-2, 5e-3)]
    assert errors[0] == pytest.approx(1e-4, rel=1e-3)  # (f(x+h) - f(x-h)) / 2h - f'(x) = h^2 for x^3
    assert errors[0] / errors[1] == pytest.approx(4.0, rel=1e-3)


def test_x_is_not_modified_and_float32_is_accepted(rng):
    x = rng.standard_normal((2, 3)).astype(np.float32)
    x0 = x.copy()
    seen = []

    def f(v):
        seen.append(v.dtype)
        return np.sum(v**2)

    grad = numerical_gradient(f, x)
    np.testing.assert_array_equal(x, x0)
    assert set(seen) == {np.dtype(np.float64)}  # differences are always taken in float64
    np.testing.assert_allclose(grad, 2 * x0.astype(np.float64), rtol=1e-7)


def test_integer_and_list_inputs():
    grad = numerical_gradient(lambda v: np.sum(v**2), [1, 2, 3])
    np.testing.assert_allclose(grad, [2.0, 4.0, 6.0], rtol=1e-8)


def test_check_gradient_passes_and_fails(rng):
    x = rng.standard_normal((4, 2))
    f = lambda v: np.sum(v**2)  # noqa: E731
    good = check_gradient(f, x, 2 * x)
    assert isinstance(good, GradcheckResult)
    assert good and good.ok
    assert good.max_abs_error < 1e-7
    np.testing.assert_array_equal(good.analytic, 2 * x)
    bad = check_gradient(f, x, 2 * x + 1e-3)
    assert not bad
    assert bad.max_abs_error == pytest.approx(1e-3, rel=1e-3)
    assert "ok=False" in repr(bad)


def test_check_gradient_tolerances(rng):
    x = rng.standard_normal(3)
    f = lambda v: np.sum(v**2)  # noqa: E731
    assert check_gradient(f, x, 2 * x * (1 + 1e-4), rtol=1e-3)
    assert not check_gradient(f, x, 2 * x * (1 + 1e-4), rtol=1e-6, atol=0)


def test_bad_arguments(rng):
    x = rng.standard_normal(3)
    with pytest.raises(ValueError, match=r"analytic must have the shape of x, \(3,\); got shape \(4,\)"):
        check_gradient(lambda v: np.sum(v), x, np.zeros(4))
    with pytest.raises(ValueError, match=r"f\(x\) must return a scalar, got an array with shape \(3,\)"):
        numerical_gradient(lambda v: v, x)
    with pytest.raises(ValueError, match=r"eps must be a positive finite number"):
        numerical_gradient(lambda v: np.sum(v), x, eps=0)
    with pytest.raises(TypeError, match=r"x must be real"):
        numerical_gradient(lambda v: np.sum(v), x + 1j)
    with pytest.raises(TypeError, match=r"f must be callable"):
        numerical_gradient(3, x)
