def clamp(x, low, high):
    if x < low:
        return low
    if x > high:
        return high
    return x


def total(values):
    result = 0
    for value in values:
        result += value
    return result
