"""The case workflow: who may act, the states an application and its permit tasks pass through, the audit chain."""
