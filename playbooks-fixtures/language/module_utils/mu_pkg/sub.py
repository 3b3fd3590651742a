def other():
    return 7
