package io.keyscan.examples.export;

/** A failure of an export or import that the tool explains itself: its message is shown as is. */
final class ExportException extends RuntimeException {

    ExportException(String message) {
        super(message);
    }

    ExportException(String message, Throwable cause) {
        super(message, cause);
    }
}
