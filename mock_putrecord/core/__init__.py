"""Service-independent machinery: activation, interception, dispatch, errors, clock."""
