"""client.user.*, client.questionnaire.*, client.e_verify.*: the client's registration and KYC."""
