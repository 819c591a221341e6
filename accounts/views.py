from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.forms import DeleteAccountForm
from accounts.services import user_data_export, user_delete, user_deletion_refusal


@login_required
def delete_account(request):
    user = request.user
    # Records of the programme that name the person: the project team closes the account.
    refusal = user_deletion_refusal(user=user)
    form = DeleteAccountForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            user_delete(user=user)
        except ValidationError as error:  # such a record was added since the check
            refusal = error.messages[0]
        else:
            logout(request)
            messages.success(request, _("Your account has been deleted."))
            return redirect("programme:page")
    status = 409 if refusal and form.is_bound else 400 if form.is_bound else 200
    return render(request, "accounts/delete_account.html",
                  {"form": form, "refusal": refusal}, status=status)


@login_required
def data_export(request):
    """Download everything stored about oneself, as JSON."""
    data = user_data_export(user=request.user)
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="vernetztineuropa-my-data.json"'
    return response
