"""Error bodies in Intuit's two shapes.

The Accounting API answers validation and business errors with a `Fault` envelope
(`{"Fault": {"Error": [...], "type": "ValidationFault"}, "time": ...}`), while the API gateway in
front of it answers authentication, authorization and throttling errors with a lowercase `fault`
envelope whose message packs the code and status into one string
(`message=AuthenticationFailed; errorCode=003200; statusCode=401`).
"""

from __future__ import annotations

from typing import Any


class ApiFault(Exception):
    """An Accounting API error in the standard `Fault` envelope."""

    def __init__(
        self,
        code: str,
        message: str,
        detail: str = "",
        *,
        element: str = "",
        status: int = 400,
        fault_type: str = "ValidationFault",
    ) -> None:
        super().__init__(f"{code} {message}")
        self.code = code
        self.message = message
        self.detail = detail
        self.element = element
        self.status = status
        self.fault_type = fault_type

    def body(self, time_stamp: str) -> dict[str, Any]:
        return {
            "Fault": {
                "Error": [
                    {
                        "Message": self.message,
                        "Detail": self.detail,
                        "code": self.code,
                        "element": self.element,
                    }
                ],
                "type": self.fault_type,
            },
            "time": time_stamp,
        }


class GatewayFault(Exception):
    """A gateway error (3200, 3100, 3001) in the lowercase `fault` envelope."""

    def __init__(
        self, code: str, name: str, status: int, fault_type: str, detail: str = ""
    ) -> None:
        super().__init__(f"{code} {name}")
        self.code = code
        self.name = name
        self.status = status
        self.fault_type = fault_type
        self.detail = detail

    def body(self, epoch_millis: int) -> dict[str, Any]:
        message = f"message={self.name}; errorCode={int(self.code):06d}; statusCode={self.status}"
        return {
            "warnings": None,
            "intuitObject": None,
            "fault": {
                "error": [
                    {"message": message, "detail": self.detail, "code": self.code, "element": None}
                ],
                "type": self.fault_type,
            },
            "report": None,
            "queryResponse": None,
            "batchItemResponse": [],
            "attachableResponse": [],
            "syncErrorResponse": None,
            "requestId": None,
            "time": epoch_millis,
            "status": None,
            "cdcresponse": [],
        }


def authentication_failed(detail: str) -> GatewayFault:
    """3200 / 401: a missing, malformed, expired or revoked access token."""
    return GatewayFault("3200", "AuthenticationFailed", 401, "AUTHENTICATION", detail)


def authorization_failed() -> GatewayFault:
    """3100 / 403: a valid token used on a company it was not issued for."""
    return GatewayFault("3100", "ApplicationAuthorizationFailed", 403, "SERVICE")


def throttled() -> GatewayFault:
    """3001 / 429: too many requests for one company."""
    detail = "The request limit was reached.  Try again later"  # two spaces, as Intuit writes it
    return GatewayFault("3001", "ThrottleExceeded", 429, "SERVICE", detail)


# Messages of the standard envelope, as Intuit words them.
REQUIRED_PARAM = "Required param missing, need to supply the required value for the API"
INVALID_REFERENCE = "Invalid Reference Id"
OBJECT_NOT_FOUND = "Object Not Found"
BUSINESS_VALIDATION = "A business validation error has occurred while processing your request"
STALE_OBJECT = "Stale Object Error"
DUPLICATE_NAME = "Duplicate Name Exists Error"
UNSUPPORTED = "Unsupported Operation"


def required_missing(name: str, element: str = "") -> ApiFault:
    return ApiFault(
        "2020",
        REQUIRED_PARAM,
        f"Required parameter {name} is missing in the request",
        element=element or name,
    )


def invalid_reference(element: str, detail: str = "") -> ApiFault:
    """2500; QuickBooks' detail names the field (`Invalid Reference Id : Line…ItemRef`)."""
    return ApiFault(
        "2500", INVALID_REFERENCE, f"{INVALID_REFERENCE} : {detail or element}", element=element
    )


def inactive_reference(element: str) -> ApiFault:
    return invalid_reference(
        element,
        "Something you're trying to use has been made inactive. Check the fields with accounts, "
        "customers, items, vendors or employees.",
    )


def not_found(entity: str, entity_id: str) -> ApiFault:
    return ApiFault(
        "610",
        OBJECT_NOT_FOUND,
        f"{OBJECT_NOT_FOUND} : Something you're trying to use has been made inactive or deleted. "
        f"Check the fields with accounts, customers, items, vendors or employees. "
        f"({entity} Id={entity_id})",
    )


def business_rule(detail: str, element: str = "") -> ApiFault:
    return ApiFault(
        "6000", BUSINESS_VALIDATION, f"Business Validation Error: {detail}", element=element
    )


def stale_object() -> ApiFault:
    return ApiFault(
        "5010",
        STALE_OBJECT,
        f"{STALE_OBJECT} : You and Practice Admin were working on this at the same time. "
        "Practice Admin finished before you did, so your work was not saved.",
    )


def duplicate_name(detail: str) -> ApiFault:
    """6240; the detail is QuickBooks' own sentence (`The name supplied already exists. : …`)."""
    return ApiFault("6240", DUPLICATE_NAME, detail)


def unknown_property(name: str, entity: str) -> ApiFault:
    """2010: a field the entity does not have, worded as QuickBooks' JSON reader words it."""
    return ApiFault(
        "2010",
        "Request has invalid or unsupported property",
        f'Property Name:Unrecognized field "{name}" (class com.intuit.schema.finance.v3.'
        f"{entity}), not marked as ignorable specified is unsupported or invalid",
    )


def unsupported(detail: str) -> ApiFault:
    return ApiFault("500", UNSUPPORTED, detail)
