import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "For local development only: make sure a superuser 'admin' exists, give it a fresh "
        "random password, and print how to sign in."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--url", default="http://127.0.0.1:8000/admin/")

    def handle(self, *args, username, url, **options):
        if not settings.DEBUG:
            raise CommandError("local_admin only runs with DJANGO_DEBUG=1 (development).")
        User = get_user_model()
        user, _ = User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@localhost"}
        )
        password = secrets.token_urlsafe(12)
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        self.stdout.write(
            self.style.SUCCESS(
                f"Admin: {url}  user: {username}  password: {password}  (new on every start)"
            )
        )
