"""Who administers the integrations and who manages a token (django-rules)."""

import rules

from marketing_portal.rules import is_system_administrator


@rules.predicate
def owns_token(user, token) -> bool:
    return token is not None and token.user_id == user.pk


administers = is_system_administrator

rules.add_perm("integrations.administer", administers)
rules.add_perm("integrations.use_api", rules.is_authenticated)
rules.add_perm("integrations.revoke_token", owns_token | administers)
