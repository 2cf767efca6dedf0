from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = "实名核验 / Proof of presence"

    def ready(self) -> None:
        from applications.retention import retention_extend
        from applications.selectors import document_extend
        from applications.transitions import transition_listen
        from identity.services import presence_document, presence_personal_data_erase, selfies_erase_on_decision

        # The identity library reads the proof of presence from the application document.
        document_extend(presence_document)

        # Retention erases what the proof of presence keeps about a person, with the persons.
        retention_extend(presence_personal_data_erase)
        # A selfie kept for a face review is erased as soon as the review is decided.
        transition_listen(selfies_erase_on_decision)
