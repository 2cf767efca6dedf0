from django import template

from applications.models import Application
from dashboard.selectors import rating_for

register = template.Library()


@register.inclusion_tag("dashboard/_rating_form.html", takes_context=True)
def rating_form(context: template.Context, application: Application) -> dict:
    """The rating box of the status page: `{% load dashboard_ratings %}{% rating_form application %}`."""
    return {
        "application": application,
        "rating": rating_for(application=application),
        "csrf_token": context.get("csrf_token"),
    }
