"""Placeholder: replaced in step 4."""


def install():
    return False
