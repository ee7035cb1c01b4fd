"""The statistics page in the portal's menu (core.navigation)."""


def register() -> None:
    pass
