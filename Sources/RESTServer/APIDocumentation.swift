import Hummingbird

/// The API's description of itself: `/openapi.json` (its `servers` entry naming `API_ROOT_PATH`), `/docs` (the
/// rendered document with "try it out") and `/redoc` (the same reference, read-only).
struct APIDocumentation {
    let rootPath: APIRootPath

    func add(to router: Router<APIRequestContext>) {
        let json = OpenAPIDocument.json(servedUnder: rootPath)
        router.get("openapi.json") { _, _ in OpenAPIDocument.response(json: json) }
        router.get("docs") { _, _ in DocsPage.response(.tryItOut) }
        router.get("redoc") { _, _ in DocsPage.response(.reference) }
    }
}
