"""The script service's rules: word budgets, cleaning, splitting, prompts and the template writer."""
