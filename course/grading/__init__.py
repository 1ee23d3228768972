"""Grade a class: the teacher's side of the classroom edition (``make grade``).

    grading.notebooks    exercises found in the solution notebooks (markers, cell ids, points)
    grading.hidden_cases the hidden tests: other sizes and seeds, finite differences (teacher only)
    grading.child        the student's side: the process in the sandbox that runs the cells
    grading.wire         what passes between the grader and the sandbox: data only
    grading.sandbox      bubblewrap around that process: namespaces, read-only views, limits
    grading.harness      the verdict, in the grader: namespaces, checks, hidden cases
    grading.submissions  the submitted folder: who handed in what, matched by cell id
    grading.runner       one sandbox per submission, in parallel, never crashing the run
    grading.report       the CSV and one Markdown feedback file per student
    grading.cli          ``python -m course.grading``: the command line under ``make grade``

The hidden cases and this package are teacher material: never hand them out (tests check that
nothing of them reaches student/).
"""
