"""Amazon Resource Names as they appear in pasted errors, masked accounts included."""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple


class Arn(NamedTuple):
    """An ARN split into its parts; `resource` keeps its type, path and name. (A named tuple:
    pastes are read for ARNs many times over, and it is the cheapest immutable value to build.)"""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    @classmethod
    def parse(cls, text: str) -> Arn | None:
        """Split `text` into an Arn, or return None when it is not one."""
        if not text.startswith("arn:"):
            return None
        return _parse_kept(text) if len(text) <= _KEPT_ARN else _parse(text)

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"

    @property
    def account_id(self) -> str | None:
        """The 12-digit account, or None when it is absent or masked."""
        account = self.account
        return account if len(account) == 12 and account.isascii() and account.isdigit() else None

    @property
    def resource_type(self) -> str:
        """`role`, `user`, `assumed-role`, `policy`, ... ('' for services without one, e.g. s3)."""
        for sep in ("/", ":"):
            if sep in self.resource:
                return self.resource.split(sep, 1)[0]
        return ""

    @property
    def path(self) -> str:
        """The IAM path between the type and the name: `/` when there is none."""
        segments = self.resource.split("/")
        if len(segments) <= 2:
            return "/"
        return "/" + "/".join(segments[1:-1]) + "/"

    @property
    def name(self) -> str:
        """The last path segment: a role, user or policy name."""
        return self.resource.rsplit("/", 1)[-1]

    @property
    def is_assumed_role(self) -> bool:
        """True for an STS role session: arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION."""
        return self.service == "sts" and self.resource_type == "assumed-role"

    def _path_segment(self, index: int) -> str | None:
        """The resource's `index`th segment, where a name follows it (`assumed-role/ROLE/SESSION`:
        1 is the role)."""
        segments = self.resource.split("/")
        return segments[index] if len(segments) >= index + 2 else None

    @property
    def session_role_name(self) -> str | None:
        """The role behind an assumed-role session ARN."""
        return self._path_segment(1) if self.is_assumed_role else None

    @property
    def is_aws_managed(self) -> bool:
        """True for what AWS owns in every account, such as its managed policies: account `aws`."""
        return self.account == "aws"

    @property
    def is_service_linked_role(self) -> bool:
        return self.service == "iam" and self.resource.startswith("role/aws-service-role/")

    @property
    def linked_service(self) -> str | None:
        """The service a service-linked role's path names (role/aws-service-role/SERVICE/NAME)."""
        return self._path_segment(2) if self.is_service_linked_role else None


def _parse(text: str) -> Arn | None:
    parts = text.split(":", 5)
    if len(parts) != 6 or not parts[1].startswith("aws") or not parts[2] or not parts[5]:
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


# One paste names the same few ARNs over and over: each is split once (ARNs of a usual length only,
# so that the memory kept stays small whatever is pasted).
_KEPT_ARN = 512
_parse_kept = lru_cache(maxsize=4096)(_parse)
