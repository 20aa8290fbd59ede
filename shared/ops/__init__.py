"""Operations: the operator's command (`python -m shared.ops`, `sec-ops`) and the admin API
routes every service serves (`service_api`), which the command and the staff console call."""
