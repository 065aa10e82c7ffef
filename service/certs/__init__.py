"""一证准营 in the service: certificates stored version by version, their signing keys, issue, void, verify."""
