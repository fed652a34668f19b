"""SQL implementations of workflow.ports, one module per family of tables."""
