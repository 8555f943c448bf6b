; Presently's Windows installer, built on Linux with NSIS's makensis by scripts/windows.sh (Tauri's bundler is not
; used: its NSIS step downloads NSIS and its plugins at build time, and nothing may download here).
;
; For the current user only, with no administrator rights (no UAC prompt):
;   - the programs into %LOCALAPPDATA%\Programs\Presently (the per-user Programs folder Windows itself uses);
;   - a Start-menu entry "Presently" (the tray app);
;   - an uninstaller registered under HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\Presently, so
;     Settings > Apps lists and removes it;
;   - optionally (the "Start at sign-in" component, or /LOGIN on the command line with /S) the login entry the
;     app itself keeps (src-tauri/src/autostart.rs): the value "Presently" under HKCU\...\Run and the setting
;     launch-at-login = true, which is what the app makes the entry agree with at every start.
; The uninstaller removes all of that, and the login entry whoever made it; the user's own settings and sign-in
; (%APPDATA%\Presently, %LOCALAPPDATA%\Presently, the key in the Credential Manager) stay, so that installing
; again keeps them (`presently logout` before uninstalling forgets the sign-in).
;
; makensis -DVERSION=x.y.z -DBIN=<folder of the three .exe files> -DROOT=<repository> -DOUTFILE=<installer.exe>

Unicode true
Target amd64-unicode
SetCompressor /SOLID lzma
RequestExecutionLevel user

!ifndef VERSION & BIN & ROOT & OUTFILE
  !error "define VERSION, BIN, ROOT and OUTFILE (scripts/windows.sh does)"
!endif

!define APP "Presently"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP}"
!define RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"
!define APPROVED_KEY "Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run"

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"

Name "${APP}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APP}"
; An earlier install's folder wins over the default, so an update goes where the first install went.
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
ShowInstDetails show
ShowUninstDetails show

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=1033 "ProductName" "${APP}"
VIAddVersionKey /LANG=1033 "FileDescription" "${APP} installer"
VIAddVersionKey /LANG=1033 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "LegalCopyright" "Presently contributors, MIT licence"

!define MUI_ICON "${ROOT}\icons\icon.ico"
!define MUI_UNICON "${ROOT}\icons\icon.ico"
!define MUI_COMPONENTSPAGE_NODESC
!define MUI_FINISHPAGE_RUN "$INSTDIR\presently-app.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Start ${APP} now"

!insertmacro MUI_PAGE_LICENSE "${ROOT}\LICENSE"
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Section "${APP} (the tray app and the presently command)" SecApp
  SectionIn RO
  SetShellVarContext current
  SetOutPath "$INSTDIR"
  File "${BIN}\presently-app.exe"
  File "${BIN}\presently.exe"
  ; `presently-app --demo` runs the emulator beside it (src-tauri/src/demo.rs).
  File "${BIN}\presently-emulator.exe"
  File "/oname=LICENSE.txt" "${ROOT}\LICENSE"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\${APP}.lnk" "$INSTDIR\presently-app.exe" "" "$INSTDIR\presently-app.exe" 0

  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "Presently contributors"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\presently-app.exe"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" $0
SectionEnd

Section /o "Start ${APP} when I sign in to Windows" SecLogin
  ; The same entry the app writes (tauri-plugin-autostart): the tray only, no popup.
  WriteRegStr HKCU "${RUN_KEY}" "${APP}" '"$INSTDIR\presently-app.exe" --autostart'
  ; The setting is what the app keeps the entry in line with at every start; without it the entry would go.
  nsExec::ExecToLog '"$INSTDIR\presently.exe" config set launch-at-login true'
  Pop $0
  ${If} $0 != 0
    DetailPrint "Could not turn on launch-at-login in the settings ($0): turn it on in the app."
  ${EndIf}
SectionEnd

Function .onInit
  SetShellVarContext current
  ; /LOGIN picks the login entry in a silent install (/S), where no components page is shown.
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/LOGIN" $R1
  ${IfNot} ${Errors}
    SectionSetFlags ${SecLogin} ${SF_SELECTED}
  ${EndIf}
FunctionEnd

Function un.onInit
  SetShellVarContext current
FunctionEnd

Section "Uninstall"
  ; A running app would hold its files: end it (and its popup) first.
  nsExec::Exec 'taskkill /im presently-app.exe /f'
  Pop $0
  Delete "$INSTDIR\presently-app.exe"
  Delete "$INSTDIR\presently.exe"
  Delete "$INSTDIR\presently-emulator.exe"
  Delete "$INSTDIR\LICENSE.txt"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  ; The per-user Programs folder, when this install made it and nothing else is in it.
  RMDir "$LOCALAPPDATA\Programs"
  Delete "$SMPROGRAMS\${APP}.lnk"
  ; The login entry and Task Manager's on/off flag for it, whether the installer or the app wrote them.
  DeleteRegValue HKCU "${RUN_KEY}" "${APP}"
  DeleteRegValue HKCU "${APPROVED_KEY}" "${APP}"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DetailPrint "Your settings (%APPDATA%\${APP}) and sign-in (%LOCALAPPDATA%\${APP}) are kept."
SectionEnd
