"""Whether an image is worth storing: the image checks (size, exposure, sharpness, near copies), the review
rubric and its verdict, the diversity measures, and the diversity report of a period.

May import the core, and twins.agreement (the report counts twins' agreement with their references).
"""
