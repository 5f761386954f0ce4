"""Privacy audits: instruments that share no model with the de-identifier they judge."""
