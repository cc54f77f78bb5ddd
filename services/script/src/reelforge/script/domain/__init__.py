"""The script service's rules: word budgets, cleaning, splitting, prompts, the template
writer."""
