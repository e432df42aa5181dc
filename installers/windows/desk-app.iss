; Inno Setup 6 script (UTF-8 with BOM, so the Vietnamese names survive): a per-machine installer around the PyInstaller one-folder build.
;   pyinstaller --noconfirm installers\desk_app.spec
;   iscc /DAppVersion=0.1.0 installers\windows\desk-app.iss   ->  dist\desk-app-0.1.0-setup.exe
; Built by .github/workflows/windows.yml; see installers/README.md.
;
; - Program in Program Files (admin install for every user of the PC).
; - Data in ProgramData\DeskApp (DESK_DATA, set machine-wide, tells the app and the desk CLI),
;   writable by the PC's users; the uninstaller never removes it (the counter's dossiers).
; - Start-menu and desktop shortcuts; the console `desk.exe` sits beside the windowed app.
; - After installing, `desk selftest` writes its JSON report to ProgramData\DeskApp\selftest.json.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define AppName "Bàn tiếp nhận Một cửa"
#define AppExe "desk-app.exe"

[Setup]
AppId={{5C4B8E1A-7F3D-4D8C-9E21-3A6B0D9F4C17}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=desk-app
DefaultDirName={autopf}\DeskApp
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
ChangesEnvironment=yes
OutputDir=..\..\dist
OutputBaseFilename=desk-app-{#AppVersion}-setup
SetupIconFile=..\..\resources\icon\desk-app.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"

[Dirs]
; The data folder: users may write (intake at the counter), the uninstaller leaves it alone.
Name: "{commonappdata}\DeskApp"; Permissions: users-modify; Flags: uninsneveruninstall

[Files]
Source: "..\..\dist\desk-app\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Registry]
; One data folder for the PC, whoever logs in; removed on uninstall (the folder itself stays).
Root: HKLM; Subkey: "SYSTEM\CurrentControlSet\Control\Session Manager\Environment"; ValueType: string; ValueName: "DESK_DATA"; ValueData: "{commonappdata}\DeskApp"; Flags: uninsdeletevalue

[Icons]
; --data as well: a process started before DESK_DATA reaches every session still finds the data.
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Parameters: "--data ""{commonappdata}\DeskApp"""; WorkingDir: "{commonappdata}\DeskApp"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Parameters: "--data ""{commonappdata}\DeskApp"""; WorkingDir: "{commonappdata}\DeskApp"

[Run]
; The installation checks itself (headless); the report stays for support staff.
Filename: "{cmd}"; Parameters: "/c """"{app}\desk.exe"" selftest > ""{commonappdata}\DeskApp\selftest.json"" 2>&1"""; Flags: runhidden waituntilterminated; StatusMsg: "desk selftest..."
Filename: "{app}\{#AppExe}"; Parameters: "--data ""{commonappdata}\DeskApp"""; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
