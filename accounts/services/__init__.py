"""Writes for accounts: people (profile, API tokens), affiliations with institutions, organisations."""

from accounts.services.affiliations import (
    affiliation_check_proof,
    affiliation_claim,
    affiliation_decide,
    affiliation_from_feide,
    affiliation_proof,
    email_domain,
    institution_domain_add,
    institution_domain_remove,
)
from accounts.services.clusters import cluster_member_add, cluster_member_remove, cluster_sharing_decide
from accounts.services.organisations import (
    membership_decide,
    membership_request,
    membership_role_set,
    org_number_checked,
    organisation_by_number,
    organisation_precheck,
    organisation_recheck,
)
from accounts.services.people import (
    api_token_create,
    api_token_obtain,
    api_token_revoke,
    user_sign_up,
    user_update_profile,
)

__all__ = [
    "cluster_member_add",
    "cluster_member_remove",
    "cluster_sharing_decide",
    "affiliation_check_proof",
    "affiliation_claim",
    "affiliation_decide",
    "affiliation_from_feide",
    "affiliation_proof",
    "api_token_create",
    "api_token_obtain",
    "api_token_revoke",
    "email_domain",
    "membership_decide",
    "membership_role_set",
    "membership_request",
    "org_number_checked",
    "organisation_by_number",
    "organisation_precheck",
    "organisation_recheck",
    "institution_domain_add",
    "institution_domain_remove",
    "user_sign_up",
    "user_update_profile",
]
