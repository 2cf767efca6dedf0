"""The one form's models live in the application aggregate (`applications.models`)."""
