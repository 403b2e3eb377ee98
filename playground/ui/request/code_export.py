"""Request ▸ Copy as code… and Request ▸ Import curl…: the window's request as code, and a pasted
curl command back into the window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from playground.core.errors import PlaygroundError
from playground.core.remote.remotes import Remote
from playground.core.request.codegen import KEY_ENV, export, languages
from playground.core.request.curl_import import CurlImportError, ImportedRequest, parse_curl
from playground.core.request.spec import RequestSpec
from playground.ui import theme
from playground.ui.widgets.fonts import monospace_font

if TYPE_CHECKING:
    from playground.ui.host import WindowHost

EXPORT_KEYS = "Ctrl+Shift+E"
IMPORT_KEYS = "Ctrl+Shift+I"
ERROR_STYLE = "color: {error};"  # filled by theme.styled


def _code_view(text: str = "") -> QPlainTextEdit:
    view = QPlainTextEdit(text)
    view.setFont(monospace_font())
    view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    return view


class CodeExportDialog(QDialog):
    """One tab per language; those that do not apply are disabled, their reason as the tooltip."""

    def __init__(self, spec: RequestSpec, remote: Remote, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # one per Ctrl+Shift+E
        self.setWindowTitle("Copy as code")
        self.summary = QLabel(
            f"{spec.description} on {remote.name}. The key is read from ${KEY_ENV}; "
            "it is never written here."
        )
        self.summary.setWordWrap(True)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("codeTabs")
        self.views: dict[str, QPlainTextEdit] = {}
        for language in languages(spec, remote):
            reason = language.reason
            code = ""
            if not reason:
                try:
                    code = export(language.key, spec, remote)
                except (PlaygroundError, ValueError) as exc:
                    reason = str(exc)
            view = _code_view(code or reason)
            view.setReadOnly(True)
            view.setObjectName(f"code_{language.key}")
            self.views[language.key] = view
            index = self.tabs.addTab(view, language.label)
            self.tabs.setTabEnabled(index, not reason)
            self.tabs.setTabToolTip(index, reason)
        first = next((i for i in range(self.tabs.count()) if self.tabs.isTabEnabled(i)), -1)
        # A chat sent over the Responses or Messages API opens on that API's SDK.
        own = {"responses": "responses", "messages": "anthropic"}.get(spec.api)
        if own in self.views and self.tabs.isTabEnabled(self.tabs.indexOf(self.views[own])):
            first = self.tabs.indexOf(self.views[own])
        self.tabs.setCurrentIndex(first)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setObjectName("copyCodeButton")
        self.copy_button.setEnabled(first >= 0)
        self.copy_button.clicked.connect(self.copy)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.resize(760, 560)

    def current_code(self) -> str:
        index = self.tabs.currentIndex()
        if index < 0 or not self.tabs.isTabEnabled(index):
            return ""
        view = self.tabs.widget(index)
        return view.toPlainText() if isinstance(view, QPlainTextEdit) else ""

    def copy(self) -> None:
        code = self.current_code()
        if code:
            QGuiApplication.clipboard().setText(code)
            self.copy_button.setText("Copied")


class ImportCurlDialog(QDialog):
    """A paste box with a live line saying what the command is (or why it cannot be imported);
    `request_imported(ImportedRequest)` on Import. The pasted text is cleared when it closes."""

    request_imported = Signal(object)

    def __init__(
        self, remotes: list[Remote], window_remote: Remote, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # and the pasted text with it
        self.setWindowTitle("Import curl")
        self._remotes = remotes
        self._window_remote = window_remote
        self.imported: ImportedRequest | None = None
        self.paste = _code_view()
        self.paste.setObjectName("curlPaste")
        self.paste.setPlaceholderText(
            "Paste a curl command, e.g. from Baseten's docs:\n\ncurl -X POST "
            "https://model-abcd1234.api.baseten.co/environments/production/predict \\\n"
            f'  -H "Authorization: Api-Key ${KEY_ENV}" \\\n'
            '  -d \'{"prompt": "Hello"}\''
        )
        self.what = QLabel("")
        self.what.setObjectName("curlWhat")
        self.what.setWordWrap(True)
        self.notices = QLabel("")
        self.notices.setObjectName("curlNotices")
        self.notices.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.import_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.import_button.setText("Import")
        self.import_button.setObjectName("importCurlButton")
        layout = QVBoxLayout(self)
        layout.addWidget(self.paste, 1)
        layout.addWidget(self.what)
        layout.addWidget(self.notices)
        layout.addWidget(self.buttons)
        self.paste.textChanged.connect(self._update_what)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.finished.connect(self._on_finished)
        self.resize(720, 420)
        self._update_what()

    def set_text(self, text: str) -> None:
        self.paste.setPlainText(text)

    def _update_what(self) -> None:
        text = self.paste.toPlainText()
        self.imported = None
        notices: list[str] = []
        if not text.strip():
            self.what.setStyleSheet("")
            self.what.setText("Paste a curl command to see what it does.")
        else:
            try:
                imported = parse_curl(text, self._remotes)
            except CurlImportError as exc:
                self.what.setStyleSheet(theme.styled(ERROR_STYLE))
                self.what.setText(str(exc))
            else:
                self.what.setStyleSheet("")
                self.what.setText(imported.summary)
                self.imported = imported
                notices = list(imported.notices) + self._window_notices(imported)
        self.notices.setText("\n".join(notices))
        self.notices.setVisible(bool(notices))
        self.import_button.setEnabled(self.imported is not None)

    def _window_notices(self, imported: ImportedRequest) -> list[str]:
        notices = []
        if imported.remote != self._window_remote:
            notices.append(
                f"The command calls {imported.remote.name}; this window sends to "
                f"{self._window_remote.name} ({self._window_remote.label})."
            )
        return notices

    def _on_buttons_accepted(self) -> None:
        if self.imported is None:
            return
        self.request_imported.emit(self.imported)
        self.accept()

    def _on_finished(self, _result: int) -> None:
        self.paste.clear()  # the paste may hold a key: keep it no longer than the dialog


# --- the window's menu entries -------------------------------------------------------------------


def show_code_export(host: WindowHost) -> CodeExportDialog | None:
    """The dialog for the window's current request, or the reason in the status bar."""
    spec = host.request_spec()
    if isinstance(spec, str):
        host.show_status(f"Nothing to export: {spec}", 5000)
        return None
    dialog = CodeExportDialog(spec, host.remote, host.widget())
    dialog.open()  # never exec(): a nested loop would break the qasync tasks
    return dialog


def show_import_curl(host: WindowHost, text: str = "") -> ImportCurlDialog:
    remotes = [host.remote] + [r for r in (Remote.baseten(),) if r != host.remote]
    dialog = ImportCurlDialog(remotes, host.remote, host.widget())

    def imported(request: ImportedRequest) -> None:
        host.load_request(request.spec)
        dropped = " " + " ".join(request.notices) if request.notices else ""
        host.show_status(f"Imported: {request.summary}.{dropped}", 8000)

    dialog.request_imported.connect(imported)
    if text:
        dialog.set_text(text)
    dialog.open()
    return dialog


def _offer_import(host: WindowHost, added: int) -> None:
    """A curl command pasted into the JSON editor is offered for import."""
    text = host.body_editor.toPlainText()
    if added >= 12 and text.lstrip().startswith("curl "):
        QTimer.singleShot(0, host.widget(), lambda: show_import_curl(host, text))


def install(host: WindowHost) -> None:
    host.add_action("&Request", "Copy as c&ode…", EXPORT_KEYS, lambda: show_code_export(host))
    host.add_action("&Request", "I&mport curl…", IMPORT_KEYS, lambda: show_import_curl(host))
    host.body_editor.document().contentsChange.connect(
        lambda _position, _removed, added: _offer_import(host, added)
    )
