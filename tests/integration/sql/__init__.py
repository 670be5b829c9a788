"""SQL storage under stress: races, processes, faults, migrations, pushdown, stateful model."""
