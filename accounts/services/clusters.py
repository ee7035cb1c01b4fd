"""Clusters and technology transfer offices and their member companies: who is a member, and whether the company
lets the cluster follow its requests (report 7.3.3)."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import emails, policies
from accounts.choices import CLUSTER_KINDS
from accounts.models import ClusterMember, Organisation, User
from accounts.services.organisations import organisation_by_number
from core.errors import ConflictError, DomainError
from core.outbox import email_queue
from core.policies import require


@transaction.atomic
def cluster_member_add(*, actor: User, cluster: Organisation, org_number: str, name: str = "") -> ClusterMember:
    """The cluster's admin (or a platform admin) adds a member company by its organisation number (registered now
    if new, as organisation_by_number). The company shares nothing until its own admin agrees; its admins are told
    (the platform admins when it has none yet)."""
    require(policies.can_manage_cluster_members, actor, cluster)
    if cluster.kind not in CLUSTER_KINDS:
        raise DomainError(_("Only a cluster or a TTO has member companies."), field="cluster", code="not_a_cluster")
    company = organisation_by_number(org_number=org_number, name=name)
    if company.pk == cluster.pk:
        raise DomainError(_("An organisation cannot be its own member."), field="org_number", code="itself")
    try:
        with transaction.atomic():
            member = ClusterMember.objects.create(cluster=cluster, company=company, added_by=actor)
    except IntegrityError:
        raise ConflictError(_("The company is already a member."), field="org_number", code="already_member") from None
    # The company's admins hear of it and decide whether the cluster may follow their requests.
    email_queue(kind=emails.CLUSTER_MEMBER_ADDED, object_id=member.pk)
    return member


@transaction.atomic
def cluster_member_remove(*, actor: User, member: ClusterMember) -> None:
    """The cluster's admin removes a member company; from then on the cluster no longer sees its requests (those it
    sent itself stay its own)."""
    require(policies.can_manage_cluster_members, actor, member.cluster)
    member.delete()


@transaction.atomic
def cluster_sharing_decide(*, actor: User, member: ClusterMember, share: bool) -> ClusterMember:
    """The member company's admin lets the cluster follow every request that names the company, or stops it."""
    member = ClusterMember.objects.select_for_update().select_related("company").get(pk=member.pk)
    require(policies.can_decide_cluster_sharing, actor, member)
    member.shares_requests = bool(share)
    member.sharing_decided_by = actor
    member.sharing_decided_at = timezone.now()
    member.save(update_fields=["shares_requests", "sharing_decided_by", "sharing_decided_at"])
    return member
