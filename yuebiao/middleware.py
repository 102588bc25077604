"""Chinese first: the platform speaks Chinese unless the user chose English with the switch in the header."""


class ChineseFirstMiddleware:
    """Drop the browser's Accept-Language so only the explicit choice (the language cookie) changes the language.

    Officials on intranet PCs with an English browser still get the Chinese platform; English is one click away.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
