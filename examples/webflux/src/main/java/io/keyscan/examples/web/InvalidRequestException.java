package io.keyscan.examples.web;

/** A request the endpoints refuse: answered with 400 and this message, which names the value and what is allowed. */
final class InvalidRequestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    InvalidRequestException(String message) {
        super(message);
    }

    InvalidRequestException(String message, Throwable cause) {
        super(message, cause);
    }
}
