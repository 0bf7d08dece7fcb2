"""The repository's own environment files validate and keep their declared relations."""

from __future__ import annotations

from platformkit.environment import EnvironmentConfig


def test_four_environments(environments: dict[str, EnvironmentConfig]) -> None:
    assert sorted(environments) == ["dev", "perf", "prod", "staging"]


def test_prod_is_production_tier_with_safeguards(environments: dict[str, EnvironmentConfig]) -> None:
    prod = environments["prod"]
    assert prod.tier == "production"
    assert prod.database.deletion_protection and prod.database.multi_az
    assert prod.network.az_count == 3 and prod.network.nat_gateways == "perAz"
    assert prod.cluster.public_access_cidrs == []


def test_perf_keeps_prods_shape_and_differs_only_in_declared_ways(environments: dict[str, EnvironmentConfig]) -> None:
    perf, prod = environments["perf"], environments["prod"]
    assert perf.shape_of == "prod"
    assert perf.cluster.node_groups == prod.cluster.node_groups
    assert perf.database.instance_class == prod.database.instance_class
    assert perf.database.multi_az == prod.database.multi_az
    assert perf.network.az_count == prod.network.az_count
    assert perf.database.deletion_protection, "prod-shaped data is slow to rebuild: perf stays protected"
    assert perf.database.backup_retention_days < prod.database.backup_retention_days


def test_vpc_ranges_are_disjoint(environments: dict[str, EnvironmentConfig]) -> None:
    nets = [e.network.cidr for e in environments.values()]
    assert all(not a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1 :])


def test_only_dev_may_scale_to_zero(environments: dict[str, EnvironmentConfig]) -> None:
    assert {n for n, e in environments.items() if e.cost.allow_scale_to_zero} == {"dev"}
