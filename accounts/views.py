from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.forms import DeleteAccountForm
from accounts.services import user_data_export, user_delete


@login_required
def delete_account(request):
    form = DeleteAccountForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        user_delete(user=user)
        messages.success(request, _("Your account has been deleted."))
        return redirect("programme:page")
    status = 400 if form.is_bound else 200
    return render(request, "accounts/delete_account.html", {"form": form}, status=status)


@login_required
def data_export(request):
    """Download everything stored about oneself, as JSON."""
    data = user_data_export(user=request.user)
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = 'attachment; filename="vernetztineuropa-my-data.json"'
    return response
