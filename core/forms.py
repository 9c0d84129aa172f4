"""Forms' side of the services: a service's refusal shown on the form that asked for it."""


def add_service_errors(form, error) -> None:
    """Put a service's ValidationError on a bound form: each message next to its field when
    the form has that field, else at the top of the form (a non-field error)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
