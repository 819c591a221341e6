from django.forms import BaseForm, BaseFormSet


class InvalidFormStatusMiddleware:
    """Answer a POST whose form was rejected with 400, not 200.

    Class-based views (allauth's, the admin's own excepted) re-render an invalid
    form with status 200; the platform's rule is a clear message and a 4xx.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_template_response(self, request, response):
        if request.method == "POST" and response.status_code == 200 and not request.path.startswith(
            "/admin/"
        ):
            context = response.context_data or {}
            if any(_has_errors(value) for value in context.values()):
                response.status_code = 400
        return response


def _has_errors(value) -> bool:
    if isinstance(value, BaseForm | BaseFormSet):
        return value.is_bound and bool(value.errors)
    return False
