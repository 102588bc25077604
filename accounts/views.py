"""Pages of the accounts room: sign in, sign out, my account."""

from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils.decorators import method_decorator

from accounts.forms import LoginForm
from accounts.permissions import access, public
from accounts.roles import ROLE_LABELS, Action, Role


@method_decorator(public, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


login_view = LoginView.as_view()
login_view.access_action = Action.PUBLIC

logout_view = public(auth_views.LogoutView.as_view())


@access(Action.AUTHENTICATED)
def profile(request):
    roles = [ROLE_LABELS[Role(r)] for r in sorted(request.user.role_names)]
    return render(request, "accounts/profile.html", {"roles": roles})
