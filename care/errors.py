"""The one error type of care's services: a message for the person, and the form field it is about."""


class CareError(Exception):
    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
