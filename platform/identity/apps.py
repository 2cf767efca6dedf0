from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = "实名核验 / Proof of presence"

    def ready(self) -> None:
        from applications.selectors import document_extend
        from applications.transitions import transition_listen
        from identity.services import presence_document, selfies_erase_on_decision

        # The identity library reads the proof of presence from the application document.
        document_extend(presence_document)

        # A selfie kept for a face review is erased as soon as the review is decided.
        transition_listen(selfies_erase_on_decision)
