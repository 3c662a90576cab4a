"""Neptune 3.x's exception names (``neptune_scale.exceptions``) over despina's errors.

``except NeptuneScaleError`` catches every error despina raises on purpose. A name whose
error despina raises is that despina error (``NeptuneAttributeTypeMismatch`` is
``FieldTypeError``, ``NeptuneProjectNotProvided`` is ``MissingProjectError``, ...). The other
names describe failures of Neptune's service or of its sync process that despina does not
have, or that it reports as a warning (a non-increasing step); they are classes of their own
that despina never raises, so that an ``except`` clause naming them still works.
"""

from despina.errors import (
    ContainerNotFoundError,
    DespinaError,
    FieldTypeError,
    InvalidPathError,
    InvalidValueError,
    MissingApiTokenError,
    MissingProjectError,
    ProjectNotFoundError,
    ProtectedFieldError,
    ServerAuthError,
    ServerUnavailableError,
    StoppedError,
    UnsupportedValueError,
)
from despina.objects.values import DespinaWarning

NeptuneScaleError = DespinaError
NeptuneScaleWarning = DespinaWarning
NeptuneUnableToLogData = UnsupportedValueError
NeptuneAttributeTypeUnsupported = UnsupportedValueError
NeptuneAttributeTypeMismatch = FieldTypeError
NeptuneAttributePathInvalid = InvalidPathError
NeptuneAttributePathEmpty = InvalidPathError
NeptuneAttributePathNonWritable = ProtectedFieldError
NeptuneHistogramBinEdgesContainNaN = InvalidValueError
NeptuneHistogramTooManyBins = InvalidValueError
NeptuneHistogramBinEdgesNotIncreasing = InvalidValueError
NeptuneHistogramValuesLengthMismatch = InvalidValueError
NeptuneProjectNotProvided = MissingProjectError
NeptuneApiTokenNotProvided = MissingApiTokenError
NeptuneProjectNotFound = ProjectNotFoundError
NeptuneRunNotFound = ContainerNotFoundError
NeptuneUnauthorizedError = ServerAuthError
NeptuneInvalidCredentialsError = ServerAuthError
NeptuneUnableToAuthenticateError = ServerAuthError
NeptuneRetryableError = ServerUnavailableError
NeptuneConnectionLostError = ServerUnavailableError
NeptuneSynchronizationStopped = StoppedError


# ---- never raised by despina ----------------------------------------------------------------


class NeptuneBadRequestError(NeptuneScaleError):
    pass


class NeptuneUnexpectedError(NeptuneScaleError):
    pass


class NeptuneFileUploadError(NeptuneScaleError):
    pass


class NeptuneFileUploadTemporaryError(NeptuneRetryableError):
    pass


class NeptuneUnexpectedResponseError(NeptuneRetryableError):
    pass


class NeptuneInternalServerError(NeptuneRetryableError):
    pass


class NeptuneTooManyRequestsResponseError(NeptuneRetryableError):
    pass


class NeptuneProjectError(NeptuneScaleError):
    pass


class NeptuneProjectInvalidName(NeptuneProjectError):
    pass


class NeptuneProjectAlreadyExists(NeptuneProjectError):
    pass


class NeptuneRunError(NeptuneScaleError):
    pass


class NeptuneRunInvalidCreationParameters(NeptuneRunError):
    pass


class NeptuneRunDuplicate(NeptuneScaleWarning):
    pass


class NeptuneRunConflicting(NeptuneScaleWarning):
    pass


class NeptuneRunForkParentNotFound(NeptuneScaleWarning):
    pass


class NeptuneSeriesPointDuplicate(NeptuneScaleWarning):
    pass


class NeptuneAttributePathExceedsSizeLimit(NeptuneScaleError):
    pass


class NeptuneSeriesStepNonIncreasing(NeptuneScaleError):
    pass


class NeptuneSeriesStepTooLarge(NeptuneScaleError):
    pass


class NeptuneSeriesStepNotAfterForkPoint(NeptuneScaleError):
    pass


class NeptuneSeriesTimestampDecreasing(NeptuneScaleError):
    pass


class NeptuneFloatValueNanInfUnsupported(NeptuneUnableToLogData):
    pass


class GenericFloatValueNanInfUnsupported(NeptuneFloatValueNanInfUnsupported):
    pass


class NeptuneStringValueExceedsSizeLimit(NeptuneScaleError):
    pass


class NeptuneStringSetExceedsSizeLimit(NeptuneScaleError):
    pass


class NeptuneFileMetadataExceedsSizeLimit(NeptuneScaleError):
    pass


class NeptunePreviewStepNotAfterLastCommittedStep(NeptuneScaleError):
    pass


class NeptuneDatabaseConflict(NeptuneScaleError):
    pass


class NeptuneLocalStorageInUnsupportedVersion(NeptuneScaleError):
    pass
