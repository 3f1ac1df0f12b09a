"""The one error type of care's services: a message for the person, and the form field it is about."""


class CareError(Exception):
    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def show_on(self, form) -> None:
        """Put the message on the form: at its field when the form has one, else at the top."""
        form.add_error(self.field if self.field in form.fields else None, self.message)
