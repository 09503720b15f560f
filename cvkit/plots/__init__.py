"""Pictures of a run: confusion matrices per fold, Gantt charts of measured, predicted and nested schedules,
speed-up charts, and the picture of processes and threads."""

from .colors import fold_color
from .confusion import plot_confusion_matrices
from .gantt import plot_gantt, plot_measured_vs_predicted, plot_queue
from .nested import plot_nested
from .processes import measure_processes, plot_processes
from .speedup import plot_speedup_vs_fold_time, plot_speedup_vs_folds, plot_speedup_vs_workers

__all__ = [
    "fold_color",
    "measure_processes",
    "plot_confusion_matrices",
    "plot_gantt",
    "plot_measured_vs_predicted",
    "plot_nested",
    "plot_processes",
    "plot_queue",
    "plot_speedup_vs_fold_time",
    "plot_speedup_vs_folds",
    "plot_speedup_vs_workers",
]

from .._lazy import lazy_package

__getattr__, __dir__, _SUBMODULES = lazy_package(__name__, __path__)  # the other submodules, loaded on first use
