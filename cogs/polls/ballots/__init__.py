"""How members vote: the poll message's buttons, select and Rank step (items), the buttons that outlive
the process (buttons), and the desk that checks, commits and confirms each ballot (desk)."""
