//! The subclass on `tray-icon`'s hidden window (the crate's documentation says why).
#![allow(unsafe_code)]

use std::fmt;

use windows_sys::Win32::Foundation::{HWND, LPARAM, LRESULT, POINT, RECT, S_OK, WPARAM};
use windows_sys::Win32::UI::Shell::{
    DefSubclassProc, NOTIFYICONIDENTIFIER, RemoveWindowSubclass, SetWindowSubclass, Shell_NotifyIconGetRect,
};
use windows_sys::Win32::UI::WindowsAndMessaging::{
    GetCursorPos, PostMessageW, SetForegroundWindow, TPM_BOTTOMALIGN, TPM_LEFTALIGN, TrackPopupMenu,
    WM_LBUTTONUP, WM_NCDESTROY, WM_NULL, WM_RBUTTONUP,
};

use crate::{Point, TRAY_ICON_CALLBACK_MESSAGE};

/// What the app does with a click on its tray icon that the shell could not place.
pub trait ClickFallback: 'static {
    /// The left button went up over the icon: what a left click does (`cursor` stands in for the icon's place).
    fn left_click(&self, cursor: Point);
    /// The right button went up over the icon: the menu to show at the cursor (an `HMENU`), if any.
    fn menu(&self) -> Option<isize>;
}

/// comctl32 refused the subclass (`SetWindowSubclass` returned FALSE).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubclassRefused;

impl fmt::Display for SubclassRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "Windows refused to watch the tray icon's clicks (SetWindowSubclass failed): clicks the shell cannot \
             place on the icon do nothing; restart Presently",
        )
    }
}

impl std::error::Error for SubclassRefused {}

/// Our subclass's id on the window (any number unique among the window's subclasses).
const SUBCLASS_ID: usize = 0x7072_7374;

type Data = Box<dyn ClickFallback>;

/// Puts the subclass on `hwnd` (`tray-icon`'s window, `TrayIcon::window_handle`), on the thread that owns the
/// window. It lives as long as the window; call it once per window.
pub fn subclass(hwnd: isize, fallback: Box<dyn ClickFallback>) -> Result<(), SubclassRefused> {
    let data: *mut Data = Box::into_raw(Box::new(fallback));
    // SAFETY: `tray_clicks` has the SUBCLASSPROC signature; `data` stays valid until WM_NCDESTROY, where the
    // subclass removes itself and frees it.
    let added = unsafe { SetWindowSubclass(hwnd as HWND, Some(tray_clicks), SUBCLASS_ID, data as usize) };
    if added == 0 {
        // SAFETY: not handed over: the subclass was not added, so nothing else holds `data`.
        drop(unsafe { Box::from_raw(data) });
        return Err(SubclassRefused);
    }
    Ok(())
}

/// Whether the shell tells where icon `id` of `hwnd` is: the call `tray-icon` makes before it handles a click.
/// `tray-icon` gives its icons no GUID (Tauri sets none), so the window and the id name the icon.
fn shell_places_icon(hwnd: HWND, id: u32) -> bool {
    let identifier = NOTIFYICONIDENTIFIER {
        cbSize: size_of::<NOTIFYICONIDENTIFIER>() as u32,
        hWnd: hwnd,
        uID: id,
        guidItem: windows_sys::core::GUID::from_u128(0),
    };
    let mut rect = RECT {
        left: 0,
        top: 0,
        right: 0,
        bottom: 0,
    };
    // SAFETY: both pointers are to live locals of the right types.
    unsafe { Shell_NotifyIconGetRect(&identifier, &mut rect) == S_OK }
}

unsafe extern "system" fn tray_clicks(
    hwnd: HWND,
    msg: u32,
    wparam: WPARAM,
    lparam: LPARAM,
    _id: usize,
    data: usize,
) -> LRESULT {
    if msg == WM_NCDESTROY {
        // SAFETY: the last message of the window: the subclass goes, and with it the data it alone held.
        unsafe {
            RemoveWindowSubclass(hwnd, Some(tray_clicks), SUBCLASS_ID);
            drop(Box::from_raw(data as *mut Data));
            return DefSubclassProc(hwnd, msg, wparam, lparam);
        }
    }
    // The icon's callback: wParam is the icon's id, lParam the mouse message (as `tray-icon` reads them).
    if msg == TRAY_ICON_CALLBACK_MESSAGE {
        let mouse = lparam as u32;
        if (mouse == WM_LBUTTONUP || mouse == WM_RBUTTONUP) && !shell_places_icon(hwnd, wparam as u32) {
            // SAFETY: `data` is the pointer `subclass` handed over, valid until WM_NCDESTROY.
            let fallback = unsafe { &*(data as *const Data) };
            let mut cursor = POINT { x: 0, y: 0 };
            // SAFETY: a valid out pointer.
            if unsafe { GetCursorPos(&mut cursor) } != 0 {
                let at = Point {
                    x: cursor.x,
                    y: cursor.y,
                };
                if mouse == WM_LBUTTONUP {
                    fallback.left_click(at);
                } else if let Some(menu) = fallback.menu() {
                    show_menu(hwnd, menu, at);
                }
            }
            return 0;
        }
    }
    // SAFETY: the next handler in the window's chain, with the message as received.
    unsafe { DefSubclassProc(hwnd, msg, wparam, lparam) }
}

/// Shows `menu` at `at`, owned by `hwnd` as `tray-icon` shows it: the chosen item's WM_COMMAND goes to `hwnd`,
/// where `muda`'s own subclass turns it into the menu event. The window comes to the foreground first so that a
/// click elsewhere closes the menu, and a WM_NULL afterwards lets the shell finish the task switch.
fn show_menu(hwnd: HWND, menu: isize, at: Point) {
    // SAFETY: `hwnd` is the live window this message came to; `menu` is an HMENU the app keeps alive; a null
    // rectangle is allowed. The menu loop is modal and re-enters this window's procedure, which holds no borrow.
    unsafe {
        SetForegroundWindow(hwnd);
        TrackPopupMenu(
            menu as _,
            TPM_BOTTOMALIGN | TPM_LEFTALIGN,
            at.x,
            at.y,
            0,
            hwnd,
            std::ptr::null(),
        );
        PostMessageW(hwnd, WM_NULL, 0, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;
    use windows_sys::Win32::UI::WindowsAndMessaging::{
        CreateWindowExW, DestroyWindow, HWND_MESSAGE, SendMessageW, WM_LBUTTONDOWN, WM_MOUSEMOVE,
    };

    #[derive(Default)]
    struct Seen {
        left: Vec<Point>,
        menus: usize,
        dropped: bool,
    }

    struct Recorder(Rc<RefCell<Seen>>);

    impl ClickFallback for Recorder {
        fn left_click(&self, cursor: Point) {
            self.0.borrow_mut().left.push(cursor);
        }
        fn menu(&self) -> Option<isize> {
            self.0.borrow_mut().menus += 1;
            None
        }
    }

    impl Drop for Recorder {
        fn drop(&mut self) {
            self.0.borrow_mut().dropped = true;
        }
    }

    fn message_window() -> HWND {
        let class: Vec<u16> = "STATIC\0".encode_utf16().collect();
        // SAFETY: a message-only window of a system class, destroyed by the test.
        let hwnd = unsafe {
            CreateWindowExW(
                0,
                class.as_ptr(),
                std::ptr::null(),
                0,
                0,
                0,
                0,
                0,
                HWND_MESSAGE,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null(),
            )
        };
        assert!(!hwnd.is_null(), "no window");
        hwnd
    }

    #[allow(unsafe_code)]
    fn send(hwnd: HWND, msg: u32, wparam: usize, lparam: u32) {
        // SAFETY: a live window of this thread.
        unsafe { SendMessageW(hwnd, msg, wparam, lparam as LPARAM) };
    }

    #[test]
    fn a_click_on_an_icon_the_shell_cannot_place_is_handled_and_the_rest_passes_on() {
        let seen = Rc::new(RefCell::new(Seen::default()));
        let hwnd = message_window();
        subclass(hwnd as isize, Box::new(Recorder(seen.clone()))).unwrap();
        // No icon 4242 is registered for this window: no shell can place it.
        send(hwnd, TRAY_ICON_CALLBACK_MESSAGE, 4242, WM_LBUTTONUP);
        assert_eq!(seen.borrow().left.len(), 1, "the left click was not handled");
        send(hwnd, TRAY_ICON_CALLBACK_MESSAGE, 4242, WM_RBUTTONUP);
        assert_eq!(seen.borrow().menus, 1, "the right click did not ask for the menu");
        // Not a button-up, or not the icon's message: passed on, not handled.
        send(hwnd, TRAY_ICON_CALLBACK_MESSAGE, 4242, WM_MOUSEMOVE);
        send(hwnd, TRAY_ICON_CALLBACK_MESSAGE, 4242, WM_LBUTTONDOWN);
        send(hwnd, TRAY_ICON_CALLBACK_MESSAGE + 1, 4242, WM_LBUTTONUP);
        assert_eq!((seen.borrow().left.len(), seen.borrow().menus), (1, 1));
        assert!(!seen.borrow().dropped);
        // SAFETY: the window made above.
        assert_ne!(unsafe { DestroyWindow(hwnd) }, 0);
        assert!(seen.borrow().dropped, "the subclass's data outlived the window");
    }
}
