"""Masks for personal data on screens, receipts and SMS. Pure functions."""


def mask_phone(phone: str) -> str:
    """139****5678"""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"


def mask_name(name: str) -> str:
    """张*明 / 李*: the family name and, for long names, the last character."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return f"{name[0]}*"
    return f"{name[0]}{'*' * (len(name) - 2)}{name[-1]}"
