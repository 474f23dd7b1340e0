"""The pipeline's steps as plain functions over frozen case records (validate, evaluate,
draft, finalise, send), and `flow`, the state machine that drives a batch of cases through
them with retry, quarantine and park."""
