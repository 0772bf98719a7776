"""Class 5: the submitted notebook is a symbolic link to the instructor's source notebook (solutions and
hidden tests): nbgrader would follow it and grade the reference solution. The link is refused and the
submission is graded as having no notebook.

expect: 0
link: a2_discrete1d.ipynb -> __COURSE__/source/a2_discrete1d/a2_discrete1d.ipynb
"""
# %% conv_full
# (the notebook itself is replaced by a link)
