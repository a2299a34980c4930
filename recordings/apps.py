from django.apps import AppConfig


class RecordingsConfig(AppConfig):
    name = "recordings"
    verbose_name = "Recordings and playback"

    def ready(self) -> None:
        # Fleet-wide searches are the job engine's "recording_search" kind.
        from jobs.registry import register

        from .search import SearchHandler

        register(SearchHandler())
