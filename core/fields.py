"""The sizes of the decimal fields every app shares: money, weights and measure values."""

MONEY = {"max_digits": 16, "decimal_places": 2}
WEIGHT = {"max_digits": 8, "decimal_places": 3}
VALUE = {"max_digits": 20, "decimal_places": 6}
