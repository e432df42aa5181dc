"""Qt's own dialogs (message box buttons, the file and print dialogs) in the app's language.

Qt ships no Vietnamese catalogue (there is no ``qtbase_vi.qm`` in PySide6's translations
folder, ``QLibraryInfo.path(TranslationsPath)``; if a later Qt ships one it is loaded first).
Otherwise the strings a receptionist meets in those dialogs are translated here: each Qt
source text (by its Qt context) maps to our Vietnamese text, which goes through the app's
Translator like every other string, and the Language menu switches them (in English Qt's
own text is used). Strings not listed fall through to Qt (key names in shortcuts must).
UI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

from desk_app.i18n import N_, Translator

_BUTTONS = {
    "OK": N_("Đồng ý"), "Save": N_("Lưu"), "Save All": N_("Lưu tất cả"), "Open": N_("Mở"),
    "&Yes": N_("&Có"), "Yes to &All": N_("Có với &tất cả"), "&No": N_("&Không"), "N&o to All": N_("Khô&ng với tất cả"),
    "Abort": N_("Dừng"), "Retry": N_("Thử lại"), "Ignore": N_("Bỏ qua"), "Close": N_("Đóng"), "Cancel": N_("Hủy"),
    "Discard": N_("Bỏ"), "Help": N_("Trợ giúp"), "Apply": N_("Áp dụng"), "Reset": N_("Đặt lại"),
    "Restore Defaults": N_("Khôi phục mặc định"), "&OK": N_("Đồng ý"), "&Cancel": N_("&Hủy"), "&Save": N_("&Lưu"),
    "&Open": N_("&Mở"), "&Close": N_("Đó&ng"),
}
_FILE_DIALOG = {
    "&Look in:": N_("&Tìm trong:"), "File &name:": N_("Tên &tệp:"), "Files of &type:": N_("&Loại tệp:"),
    "&Open": N_("&Mở"), "&Save": N_("&Lưu"), "Open": N_("Mở"), "Save As": N_("Lưu thành"),
    "&New Folder": N_("Thư mục &mới"), "New Folder": N_("Thư mục mới"), "Create New Folder": N_("Tạo thư mục mới"),
    "Create a New Folder": N_("Tạo thư mục mới"), "&Delete": N_("&Xóa"), "&Rename": N_("Đổi &tên"),
    "Back": N_("Lùi"), "Forward": N_("Tiến"), "Parent Directory": N_("Thư mục cha"),
    "Go back": N_("Quay lại"), "Go forward": N_("Đi tiếp"), "Go to the parent directory": N_("Lên thư mục cha"),
    "List View": N_("Dạng danh sách"), "Detail View": N_("Dạng chi tiết"),
    "Change to list view mode": N_("Xem dạng danh sách"), "Change to detail view mode": N_("Xem dạng chi tiết"),
    "All Files (*)": N_("Mọi tệp (*)"), "Files": N_("Tệp"), "Directory:": N_("Thư mục:"),
    "Show &hidden files": N_("Hiện tệp ẩ&n"), "Sidebar": N_("Thanh bên"),
    "List of places and bookmarks": N_("Các nơi và dấu trang"), "Find Directory": N_("Chọn thư mục"),
    "Choose": N_("Chọn"), "Recent Places": N_("Nơi gần đây"), "My Computer": N_("Máy tính"),
    "%1 already exists.\nDo you want to replace it?": N_("%1 đã có.\nThay thế tệp này?"),
    "%1\nFile not found.\nPlease verify the correct file name was given.":
        N_("%1\nKhông tìm thấy tệp.\nHãy kiểm tra lại tên tệp."),
}
_FILE_MODEL = {"Name": N_("Tên"), "Size": N_("Kích thước"), "Type": N_("Loại"), "Date Modified": N_("Ngày sửa"),
               "Computer": N_("Máy tính"), "Kind": N_("Loại")}
_PRINT_DIALOG = {
    "Print": N_("In"), "&Print": N_("&In"), "Printer": N_("Máy in"), "&Name:": N_("&Tên:"),
    "P&roperties": N_("&Thuộc tính"), "Location:": N_("Vị trí:"), "Type:": N_("Loại:"), "Output &file:": N_("&Tệp xuất:"),
    "Print range": N_("Phạm vi in"), "Print all": N_("In tất cả"), "Pages from": N_("Trang từ"), "to": N_("đến"),
    "Selection": N_("Vùng chọn"), "Current Page": N_("Trang hiện tại"), "Copies": N_("Số bản"),
    "Copies:": N_("Số bản:"), "Collate": N_("Xếp theo bộ"), "Reverse": N_("In ngược"), "Options": N_("Tùy chọn"),
    "Color Mode": N_("Chế độ màu"), "Color": N_("Màu"), "Grayscale": N_("Thang xám"),
    "Duplex Printing": N_("In hai mặt"), "None": N_("Không in hai mặt"), "Long side": N_("Lật cạnh dài"),
    "Short side": N_("Lật cạnh ngắn"), "&Options >>": N_("&Tùy chọn >>"), "&Options <<": N_("&Tùy chọn <<"),
    "Print to File (PDF)": N_("In ra tệp (PDF)"), "Local file": N_("Tệp trên máy"), "Write PDF file": N_("Ghi tệp PDF"),
    "Pages": N_("Trang"), "Page Set:": N_("Các trang:"), "All Pages": N_("Mọi trang"), "Odd Pages": N_("Trang lẻ"),
    "Even Pages": N_("Trang chẵn"),
}
_MESSAGE_BOX = {"Show Details...": N_("Xem chi tiết..."), "Hide Details...": N_("Ẩn chi tiết...")}

QT_STRINGS: dict[str, dict[str, str]] = {
    "QPlatformTheme": _BUTTONS,
    "QDialogButtonBox": _BUTTONS,
    "QMessageBox": {**_BUTTONS, **_MESSAGE_BOX},
    "QFileDialog": _FILE_DIALOG,
    "QFileSystemModel": _FILE_MODEL,
    "QPrintDialog": _PRINT_DIALOG,
    "QUnixPrintWidget": _PRINT_DIALOG,
    "QPrintPropertiesDialog": _PRINT_DIALOG,
    "QPrintPreviewDialog": {**_PRINT_DIALOG, "Print Preview": N_("Xem trước khi in"), "Close": N_("Đóng")},
    "QPageSetupWidget": {"Portrait": N_("Dọc"), "Landscape": N_("Ngang"), "Margins": N_("Lề"), "Paper": N_("Giấy"),
                          "Page size:": N_("Khổ giấy:"), "Orientation": N_("Hướng giấy")},
}


class QtStringsTranslator(QTranslator):
    """Answers Qt's own ``tr()`` lookups from ``QT_STRINGS`` through the app's Translator."""

    def __init__(self, tr: Translator):
        super().__init__()
        self.tr_ = tr

    def set_translator(self, tr: Translator) -> None:
        self.tr_ = tr

    def translate(self, context, source_text, disambiguation=None, n=-1):
        table = QT_STRINGS.get(context)
        text = table.get(source_text) if table else None
        return None if text is None else self.tr_(text)  # None: not ours, Qt keeps its own

    def isEmpty(self) -> bool:
        return False


def shipped_qt_catalogue(language: str) -> QTranslator | None:
    """Qt's own ``qtbase_<language>.qm`` when PySide6 ships it (it has none for "vi" today)."""
    translator = QTranslator()
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    return translator if translator.load(f"qtbase_{language}", folder) else None


def install_qt_translations(app: QCoreApplication, window) -> QtStringsTranslator:
    """Install Qt's catalogue for the window's language (if shipped) and ours on top; follow
    the window's Language menu."""
    ours = QtStringsTranslator(window.tr_)
    shipped: dict[str, QTranslator | None] = {}

    def apply(language: str) -> None:
        for catalogue in shipped.values():
            if catalogue is not None:
                app.removeTranslator(catalogue)
        app.removeTranslator(ours)
        if language not in shipped:
            shipped[language] = shipped_qt_catalogue(language) if language != "en" else None
        catalogue = shipped[language]
        if catalogue is not None:
            app.installTranslator(catalogue)
        ours.set_translator(window.tr_)
        if language != "en":  # Qt's own text is English
            app.installTranslator(ours)  # last installed is asked first

    apply(window.tr_.language)
    window.language_changed.connect(apply)
    window.qt_translations = ours  # kept alive with the window
    return ours
