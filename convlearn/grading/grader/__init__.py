"""The instructor's side of grading: only ``nbgrader`` and the grader import it (extra ``grading``).

Nothing here is imported by a test cell in the student's kernel or by the sandboxed kernel's agent: the
student/kernel side (:mod:`convlearn.grading`'s ``rules``, ``limits``, ``checks``, ``agent``, ``wire``) never
imports this package. What is here:

- :mod:`.nbgrader_plugin` — nbgrader's autograde step (:class:`~.nbgrader_plugin.SandboxedGrade`), metadata
  restore, scores into the gradebook, the course's :func:`~.nbgrader_plugin.configure`;
- :mod:`.channel` — the wire to a submission's kernel: start, stop, restart, send and read the reply;
- :mod:`.harness` — a test cell run in the grader's process against the student's kernel;
- :mod:`.scan` — the static source check for forbidden routines;
- :mod:`.sandbox` — the bubblewrap kernel (``python -m convlearn.grading.grader.sandbox --check``);
- :mod:`.submission`, :mod:`.released`, :mod:`.inert`, :mod:`.steps` — what grading takes from a submission,
  untouched released cells, inert student output, nbgrader steps that fail with a reason;
- :mod:`.formgrader`, :mod:`.student_ui`, :mod:`.server_extension` — the Jupyter server extension;
- :mod:`.exchange`, :mod:`.export` — the JupyterHub exchange and the LMS exports;
- :mod:`.parallel`, :mod:`.gradetask` — ``python -m convlearn.grading autograde`` on Dask.
"""
