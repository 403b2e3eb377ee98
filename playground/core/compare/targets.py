"""Which targets new compare columns offer: the model's next environment not shown yet, then
its deployments; the same target twice only once every one is shown."""

from __future__ import annotations

from collections.abc import Sequence

from playground.core.remote.catalogue import TargetChoice, same_target_key
from playground.core.remote.remotes import Target


def next_targets(
    choices: Sequence[TargetChoice], shown: Sequence[Target], count: int
) -> list[Target]:
    """Targets for `count` more columns, in the order of `choices` (environments with production
    first, development, then deployments), skipping what `shown` has already.

    A deployment counts as shown when a shown environment serves it: `deployment wq7d2xa` next
    to `production` (which runs wq7d2xa) would compare a deployment with itself. Once every
    choice is shown, the last target shown is offered again (a duplicate, to repeat a run side
    by side). Without choices (the model's targets could not be read) there is nothing to offer.
    """
    if not choices:
        return []
    taken = [*shown]
    picked: list[Target] = []
    for _ in range(count):
        keys = {same_target_key(target) for target in taken}
        served = {
            c.deployment_id
            for c in choices
            if c.deployment_id and same_target_key(c.target) in keys
        }
        fresh = (
            c.target
            for c in choices
            if same_target_key(c.target) not in keys
            and not (c.target.kind == "deployment" and c.deployment_id in served)
        )
        target = next(fresh, taken[-1] if taken else choices[0].target)
        picked.append(target)
        taken.append(target)
    return picked
